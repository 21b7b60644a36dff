// The tfgen mode: writes the Pulumi schema of the bridged provider (`schema --out DIR`), which
// the served plugin embeds. An unmapped Terraform resource fails here, by name.
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	"parwop.test/engine/docker/info"
)

// Set by test/engine/build.sh: the npm SDK's version with build metadata naming the source.
var version = "0.0.0-dev"

func main() { tfgen.Main("docker", version, info.Provider(version)) }
