export * from "./http";
export * from "./pulsar-admin";
export * from "./providers";
export * from "./ledgers";
