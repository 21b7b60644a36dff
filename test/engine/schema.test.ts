/**
 * The docker plugin we build (test/engine/docker/) against the SDK the program is written for
 * (@pulumi/docker in node_modules): every resource, input and output of the types the program
 * uses exists in both under the same name, with the same type and the same optionality, down
 * through the nested types. A difference is fixed in docker/info/info.go, never in the program.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { engineBin } from "./engine";
import { repoRoot } from "../helpers/fixture";

interface Prop {
    type?: string;
    items?: Prop;
    additionalProperties?: Prop;
    $ref?: string;
}
interface ObjectSpec {
    properties?: Record<string, Prop>;
    required?: string[];
    inputProperties?: Record<string, Prop>;
    requiredInputs?: string[];
}
interface Schema {
    resources: Record<string, ObjectSpec>;
    types: Record<string, ObjectSpec>;
    provider: ObjectSpec;
}

const schema = JSON.parse(fs.readFileSync(path.join(engineBin, "docker-schema.json"), "utf8")) as Schema;
const sdkDir = path.join(repoRoot, "node_modules", "@pulumi", "docker");

/** `name?: type` of every member of the interfaces and classes declared in one of the SDK's .d.ts files. */
function declarations(file: string): Map<string, Map<string, string>> {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(sdkDir, file), "utf8"), ts.ScriptTarget.Latest);
    const out = new Map<string, Map<string, string>>();
    const visit = (node: ts.Node) => {
        if ((ts.isInterfaceDeclaration(node) || ts.isClassDeclaration(node)) && node.name) {
            const members = new Map<string, string>();
            for (const m of node.members) {
                if ((ts.isPropertySignature(m) || ts.isPropertyDeclaration(m)) && m.type && ts.isIdentifier(m.name)) {
                    const isStatic = ts.canHaveModifiers(m) && ts.getModifiers(m)?.some((k) => k.kind === ts.SyntaxKind.StaticKeyword);
                    if (!isStatic) members.set(`${m.name.text}${m.questionToken ? "?" : ""}`, m.type.getText(source));
                }
            }
            out.set(node.name.text, members);
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return out;
}

/** The SDK's type text as one comparable shape: no Input/Output wrappers, no `| undefined`, no inputs./outputs. prefix. */
function sdkShape(text: string): string {
    let t = text.replace(/\s+/g, "");
    let before: string;
    do {
        before = t;
        t = t.replace(/pulumi\.(Input|Output)<((?:[^<>]|<[^<>]*>)*)>/g, "$2");
    } while (t !== before);
    return t
        .replace(/\|undefined/g, "")
        .replace(/\b(inputs|outputs)\./g, "")
        .replace(/^\{\[key:string\]:(.*?);?\}$/, "map<$1>");
}

/** The schema's type as the same shape, noting every object type it reaches. */
function schemaShape(p: Prop, reached: Set<string>): string {
    if (p.$ref) {
        const token = p.$ref.replace("#/types/", "");
        reached.add(token);
        return token.split(":").pop()!;
    }
    switch (p.type) {
        case "integer":
        case "number":
            return "number";
        case "array":
            return `${schemaShape(p.items!, reached)}[]`;
        case "object":
            return `map<${schemaShape(p.additionalProperties ?? { type: "string" }, reached)}>`;
        default:
            return p.type!;
    }
}

/** Sorted `name?: shape` lines of one side, for a readable diff when they differ. */
const sdkLines = (members: Map<string, string>) => [...members].map(([name, t]) => `${name}: ${sdkShape(t)}`).sort();
const schemaLines = (props: Record<string, Prop> = {}, required: string[] = [], reached: Set<string>) =>
    Object.entries(props)
        .map(([name, p]) => `${name}${required.includes(name) ? "" : "?"}: ${schemaShape(p, reached)}`)
        .sort();

/** The resources the program registers (components/), with the SDK file declaring each. */
const resourceFiles: Record<string, string> = {
    "docker:index/container:Container": "container.d.ts",
    "docker:index/remoteImage:RemoteImage": "remoteImage.d.ts",
};
const reachedInputs = new Set<string>();
const reachedOutputs = new Set<string>();

/** Both sides of one object, as sorted `name?: shape` lines; filled before any test runs, so each test stands alone. */
const sides = new Map<string, { ours: string[]; theirs: string[] }>();
sides.set("provider inputs", {
    ours: schemaLines(schema.provider.inputProperties, schema.provider.requiredInputs, reachedInputs),
    theirs: sdkLines(declarations("provider.d.ts").get("ProviderArgs")!),
});
for (const [token, file] of Object.entries(resourceFiles)) {
    const spec = schema.resources[token];
    const decl = declarations(file);
    const className = token.split(":").pop()!;
    sides.set(`${className} inputs`, {
        ours: schemaLines(spec.inputProperties, spec.requiredInputs, reachedInputs),
        theirs: sdkLines(decl.get(`${className}Args`)!),
    });
    // The class declares every output as a readonly field (optionality is in its type there), plus urn and id.
    sides.set(`${className} outputs`, {
        ours: Object.entries(spec.properties ?? {})
            .map(([n, p]) => `${n}: ${schemaShape(p, reachedOutputs)}`)
            .sort(),
        theirs: [...decl.get(className)!]
            .filter(([n]) => !["urn", "id"].includes(n))
            .map(([n, t]) => `${n}: ${sdkShape(t)}`)
            .sort(),
    });
}
/** Every nested type those reach, followed down; for outputs without optionality (see below). */
function nested(reached: Set<string>, decls: Map<string, Map<string, string>>, kind: "input" | "output"): void {
    const seen = new Set<string>();
    for (let todo = [...reached]; todo.length > 0; todo = [...reached].filter((t) => !seen.has(t))) {
        for (const token of todo) {
            seen.add(token);
            const name = token.split(":").pop()!;
            const spec = schema.types[token];
            // An output type's computed fields (a port's `external`) are required in the SDK and
            // optional in this bridge's schema: a difference of TypeScript typings only, the values
            // on the wire are the same. Their names and types must still match.
            const bare = (lines: string[]) => (kind === "output" ? lines.map((l) => l.replace("?:", ":")) : lines);
            sides.set(`${kind} type ${name}`, {
                ours: bare(schemaLines(spec.properties, spec.required, reached)),
                theirs: bare(sdkLines(decls.get(name) ?? new Map())),
            });
        }
    }
}
nested(reachedInputs, declarations("types/input.d.ts"), "input");
nested(reachedOutputs, declarations("types/output.d.ts"), "output");

describe("the docker plugin's schema matches @pulumi/docker", () => {
    test("it maps every bridged resource the SDK has, and no other", () => {
        // docker.Image (image.d.ts) is pulumi-docker's own native build resource, not a bridged one: the program does not use it.
        const notResources = ["index.d.ts", "provider.d.ts", "utilities.d.ts", "image.d.ts"];
        const sdkResources = fs.readdirSync(sdkDir).filter((f) => f.endsWith(".d.ts") && !f.startsWith("get") && !notResources.includes(f));
        const files = Object.keys(schema.resources).map((t) => `${t.split("/")[1].split(":")[0]}.d.ts`);
        expect(files.sort()).toEqual(sdkResources.sort());
    });

    test("the program's types reach the nested types they use", () => {
        for (const t of [
            "ContainerVolume",
            "ContainerLabel",
            "ContainerUpload",
            "ContainerHealthcheck",
            "ContainerPort",
            "RemoteImageBuild",
        ]) {
            expect(sides.has(`input type ${t}`)).toBe(true);
        }
    });

    test.each([...sides.keys()])("%s", (key) => {
        const { ours, theirs } = sides.get(key)!;
        expect(ours).toEqual(theirs);
    });
});
