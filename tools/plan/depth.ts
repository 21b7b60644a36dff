/** One vertex of the deployment graph: what must exist before it (dependencies and parent). */
export interface Vertex {
    id: string;
    after: string[];
}

/**
 * Length of the longest chain ending at each vertex (a vertex with nothing before it is 1).
 * It is what bounds a deploy's wall-clock time when the engine runs everything else in
 * parallel, so it must stay flat as nodes are added. Iterative, so a long chain cannot
 * overflow the stack; a cycle (which Pulumi would reject) is reported rather than looped on.
 */
export function chainDepths(vertices: Vertex[]): Map<string, number> {
    const after = new Map(vertices.map((v) => [v.id, v.after]));
    const depth = new Map<string, number>();
    const visiting = new Set<string>();
    for (const start of vertices) {
        const stack: string[] = [start.id];
        while (stack.length > 0) {
            const id = stack[stack.length - 1];
            if (depth.has(id)) {
                stack.pop();
                continue;
            }
            const pending = (after.get(id) ?? []).filter((d) => after.has(d) && !depth.has(d));
            if (pending.length === 0) {
                const before = (after.get(id) ?? []).map((d) => depth.get(d) ?? 0);
                depth.set(id, 1 + Math.max(0, ...before));
                visiting.delete(id);
                stack.pop();
                continue;
            }
            if (visiting.has(id)) throw new Error(`dependency cycle through ${id}`);
            visiting.add(id);
            stack.push(...pending);
        }
    }
    return depth;
}
