import { z } from "zod";

/**
 * The JIT compilers a container runtime's JVMs run. `quick` is the quick (C1) compiler alone: nodes
 * that start together on few cores serve about twice as soon (the docker boot test's bookies in 7 s
 * instead of 15, its brokers in 7 s instead of 14), for a lower peak throughput. `full` is the JVM's
 * own default. The local runtime always runs `quick`: its nodes share one machine and start together.
 */
export const JVM_COMPILERS = ["quick", "full"] as const;
export type JvmCompiler = (typeof JVM_COMPILERS)[number];

export const JvmCompilerSchema = z.enum(JVM_COMPILERS, { error: `is not a JVM compiler choice (one of: ${JVM_COMPILERS.join(", ")})` }).default("full");
