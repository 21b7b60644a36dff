// The docker resource plugin the engine runs: the bridged provider with the schema tfgen wrote
// beside this file at build time (test/engine/build.sh; never committed).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"parwop.test/engine/docker/info"
)

// Set by test/engine/build.sh: the npm SDK's version with build metadata naming the source.
var version = "0.0.0-dev"

//go:embed schema.json
var schema []byte

func main() { tfbridge.Main("docker", version, info.Provider(version), schema) }
