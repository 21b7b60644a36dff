// The baseline of tools/bench/state.ts: as many registrations as the real program (config
// bench:resources, the explicit provider included), each a local command with small constant
// inputs, so the time it takes is the SDK's and the mocks' cost per resource and nothing else.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

const resources = new pulumi.Config("bench").requireNumber("resources");
// Explicit, as in the real program: Pulumi.yaml disables the default command provider.
const provider = new command.Provider("bare-command");
for (let i = 1; i < resources; i++) {
    new command.local.Command(`bare-${i}`, { create: "true", triggers: ["bare"] }, { provider });
}
