export * from "./container-process";
export * from "./entry-script";
