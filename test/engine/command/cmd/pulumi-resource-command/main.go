// The command resource plugin the engine runs: pulumi-command's provider at the one version the
// Go module proxy serves (test/engine/pins), served from this main of ours.
package main

import (
	"fmt"
	"os"

	p "github.com/pulumi/pulumi-go-provider"

	command "github.com/pulumi/pulumi-command/provider/pkg/provider"
)

// Set by test/engine/build.sh: the npm SDK's version with build metadata naming the source.
var version = "0.0.0-dev"

func main() {
	prov := command.NewProvider()
	// The served build's cancel middleware dereferences nil when it drains its contexts (a
	// reused slot is appended instead of filled), and the engine sends Cancel at the end of
	// every update: the plugin then dies and `up` fails although every resource succeeded.
	// Each command is still bounded by its own customTimeouts (exec.CommandContext).
	prov.Cancel = func(p.Context) error { return nil }
	if err := p.RunProvider("command", version, prov); err != nil {
		fmt.Fprintf(os.Stderr, "Error: %s", err.Error())
		os.Exit(1)
	}
}
