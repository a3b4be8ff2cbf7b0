export * from "./references";
export * from "./configuration-store";
export * from "./bookie-cluster";
export * from "./pulsar-cluster";
export * from "./namespace-affinity";
export * from "./isolation-plan";
export * from "./from-topology";
