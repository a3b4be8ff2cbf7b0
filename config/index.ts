export * from "./schema";
export * from "./load";
export * from "./derived";
export * from "./path";
export * from "./kubernetes";
export * from "./jvm";
export * from "./external";
export { clusterDefaultGroups } from "./isolation-facts";
