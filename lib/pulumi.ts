/**
 * The parts of `@pulumi/pulumi` the program and its providers use, each from its own module.
 *
 * The package's index also loads its automation API and its closure serializer (with the
 * TypeScript compiler and npm's dependency tree reader): 0.6 s at every run of the program and
 * in every provider process, for nothing the project uses. Import `pulumi` from here, not from
 * the package; tests may use the package itself.
 */
export { ComponentResource, CustomResource, Resource } from "@pulumi/pulumi/resource";
export type { ComponentResourceOptions, CustomResourceOptions } from "@pulumi/pulumi/resource";
export { Output, all, interpolate, output } from "@pulumi/pulumi/output";
export type { Input } from "@pulumi/pulumi/output";
export { Config } from "@pulumi/pulumi/config";
export { ResourceError, RunError } from "@pulumi/pulumi/errors";
export { getStack } from "@pulumi/pulumi/metadata";
export { getRootDirectory } from "@pulumi/pulumi/runtime/settings";
export * as log from "@pulumi/pulumi/log";
export type * as dynamic from "@pulumi/pulumi/dynamic";
