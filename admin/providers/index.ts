export * from "./admin-provider";
export * from "./bookie-rack";
export * from "./rack-map-seed";
export * from "./tenant";
export * from "./namespace";
export * from "./affinity-group";
export * from "./admin-access";
