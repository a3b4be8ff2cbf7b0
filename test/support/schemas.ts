import * as assert from "node:assert/strict";

/** A record schema of Pulsar's JSON or Avro kind, uploaded with the admin API as a producer's schema would be. */
export async function uploadSchema(adminUrl: string, topic: string, type: "JSON" | "AVRO", fields: readonly { name: string; type: unknown; default?: unknown }[]): Promise<void> {
  const [tenant, ns, name] = topic.split("/");
  const schema = JSON.stringify({ type: "record", name: "Reading", namespace: "pulsar.isolation.test", fields });
  const res = await fetch(`${adminUrl}/admin/v2/schemas/${tenant}/${ns}/${name}/schema`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ type, schema, properties: {} }),
  });
  assert.equal(res.status, 200, `${type} schema of ${topic} at ${adminUrl}: ${res.status} ${await res.text()}`);
}

/** Versions of one record, each adding an optional field: every upload is a compatible new version. */
export const schemaVersions = (count: number) =>
  Array.from({ length: count }, (_, v) => [
    { name: "sensor", type: "string" },
    { name: "value", type: "double" },
    ...Array.from({ length: v }, (__, i) => ({ name: `extra${i + 1}`, type: ["null", "string"], default: null })),
  ]);
