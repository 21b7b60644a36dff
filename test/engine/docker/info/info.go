// Package info maps kreuzwerker's Terraform docker provider onto the tokens and names that
// @pulumi/docker's SDK uses, the way Pulumi's own docker provider is built from the same parts.
// The schema test (test/engine/schema.test.ts) holds it to the SDK in node_modules: a rename
// found there goes here, never into the program.
package info

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/terraform-providers/terraform-provider-docker/shim"
)

// Provider is the bridge's description of the plugin, for both its tfgen and its served mode.
func Provider(version string) tfbridge.ProviderInfo {
	p := tfbridge.ProviderInfo{
		P:           shimv2.NewProvider(shim.NewProvider(version)),
		Name:        "docker",
		Version:     version,
		Description: "parwop-lab's bridge over kreuzwerker's Terraform docker provider (test engine only)",
		GitHubOrg:   "kreuzwerker",
		Config: map[string]*tfbridge.SchemaInfo{
			// A Terraform set of blocks: the automatic name would be plural.
			"registry_auth": {Name: "registryAuth"},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			// The SDK's names, where the automatic ones (plural lists, the Terraform type) differ.
			"docker_container": {
				Tok: "docker:index/container:Container",
				Fields: map[string]*tfbridge.SchemaInfo{
					"command":           {Name: "command"},
					"entrypoint":        {Name: "entrypoints"},
					"networks_advanced": {Name: "networksAdvanced"},
					// Optional in the SDK: a container without a name gets one from its resource name.
					"name": tfbridge.AutoName("name", 255, "-"),
				},
			},
			"docker_network": {Tok: "docker:index/network:Network", Fields: map[string]*tfbridge.SchemaInfo{"name": tfbridge.AutoName("name", 255, "-")}},
			"docker_volume":  {Tok: "docker:index/volume:Volume", Fields: map[string]*tfbridge.SchemaInfo{"name": tfbridge.AutoName("name", 255, "-")}},
			"docker_image":   {Tok: "docker:index/remoteImage:RemoteImage"},
			"docker_config":  {Tok: "docker:index/serviceConfig:ServiceConfig"},
		},
		DataSources: map[string]*tfbridge.DataSourceInfo{
			"docker_image": {Tok: "docker:index/getRemoteImage:getRemoteImage"},
		},
	}
	// Everything else is docker:index/<camel>:<Pascal> (docker_network -> network:Network),
	// data sources docker:index/get<Pascal>:get<Pascal>.
	p.MustComputeTokens(tokens.SingleModule("docker_", "index", tokens.MakeStandard("docker")))
	return p
}
