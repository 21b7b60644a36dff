// Entry for the prebuilt-image test: a ParwopImage without a build, as an environment with
// `image: {name: …}` and no `build` declares it, under the mock runtime.
import * as docker from "@pulumi/docker";
import { ParwopImage } from "../../components/image";

const provider = new docker.Provider("node-docker", { host: "ssh://root@node1.lab:22" });
export const imageId = new ParwopImage("prebuilt", { name: "registry.lab:5000/parwop:0.1" }, { providers: [provider] }).imageId;
