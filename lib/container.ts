import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec } from "../model/containers";

/**
 * Options every container with a fixed name needs: the engine creates a replacement before it
 * deletes the old one, and docker refuses a second container of the same name (`Conflict. The
 * container name "/parwop-coordinator" is already in use`, seen on the first real replace).
 */
export const namedContainerOptions = { deleteBeforeReplace: true } as const;

/** A declared container's arguments with what only the deployment knows: the image ID (so a rebuilt image replaces it), and files to upload. */
export function containerArgs(
    spec: ContainerSpec,
    image: pulumi.Input<string>,
    uploads?: pulumi.Input<docker.types.input.ContainerUpload[]>,
): docker.ContainerArgs {
    // Name and image first, as the arguments always read.
    const { name, ports, ...rest } = spec;
    return { name, image, ...(ports ? { ports } : {}), ...(uploads ? { uploads } : {}), ...rest };
}
