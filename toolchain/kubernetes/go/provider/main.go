// pulumi-resource-kubernetes, as the upstream main builds it. The upstream main embeds a schema
// and a mapping that its release build generates; the toolchain writes them next to this file
// (from the module's schema.json, with the version set, and terraform-mapping.json) before building.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
