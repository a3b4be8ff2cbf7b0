import * as path from "node:path";
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_BUILD, assertCompiledCurrent } from "../lib/compiled-program";
import { policies } from "./policies";

// Compiled, this file is policy/bin/policy/index.js; the project root is three folders up.
assertCompiledCurrent(POLICY_PACK_BUILD, __filename, path.resolve(__dirname, "..", "..", ".."));

new PolicyPack("pulsar-isolation", { policies });
