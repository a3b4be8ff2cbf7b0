export * from "./schema";
export * from "./load";
export * from "./topology";
export * from "./path";
export * from "./kubernetes";
