import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { childNames } from "../model/names";
import { imageTimeouts } from "../model/timeouts";

export interface ParwopImageArgs {
    /** Image tag on the node, e.g. parwop:0.1. */
    name: string;
    /**
     * Build on this node's engine from a context on the machine running Pulumi (the docker
     * client streams it to the node). Omitted: use a prebuilt image already on the node or pullable.
     */
    build?: {
        context: string;
        dockerfile?: string;
        /** Digest of the context's files (sourceHash.ts): the provider does not notice edits inside it. */
        sourceHash: string;
    };
}

/** The PARWOP image on one node, built there like the original's `--build`, or a prebuilt one. */
export class ParwopImage extends pulumi.ComponentResource {
    public readonly image: docker.RemoteImage;
    /** sha256:… of the image on the node: containers use it so a rebuild replaces them. */
    public readonly imageId: pulumi.Output<string>;

    constructor(name: string, args: ParwopImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:ParwopImage", name, {}, opts);
        const build = args.build;
        this.image = new docker.RemoteImage(
            childNames(name).image,
            build === undefined
                ? // A prebuilt image belongs to the lab, not to this stack: never delete it on destroy.
                  { name: args.name, keepLocally: true }
                : {
                      name: args.name,
                      // The provider's buildx path sends no context over ssh:// (it builds nothing,
                      // then tries to pull the tag from a registry), whatever the node's engine
                      // offers; the classic builder streams the context through the engine's own
                      // API, so the image is built on each node's engine, local or remote.
                      build: { context: build.context, dockerfile: build.dockerfile, tags: [args.name], useLegacyBuilder: true },
                      triggers: { sourceHash: build.sourceHash },
                      // Destroying one stack must not delete the image another tier's stack still runs.
                      keepLocally: true,
                  },
            { parent: this, customTimeouts: imageTimeouts },
        );
        this.imageId = this.image.imageId;
        this.registerOutputs({ image: this.image, imageId: this.imageId });
    }
}
