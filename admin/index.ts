export * from "./http";
export * from "./pulsar-admin";
export * from "./rack-map";
export * from "./zookeeper";
export * from "./providers";
