// What the program reads back from the node steps' output.

/** The driver prints one JSON line; anything else is kept as text rather than failing the program. */
export function parseResult(stdout: string): unknown {
    try {
        return JSON.parse(stdout);
    } catch {
        return { unparsed: stdout };
    }
}

/** The epoch drop-caches.sh prints last ("… at 1700000000.123456789"); "0" when missing, which the driver then cannot trust. */
export function dropTime(stdout: string | undefined): string {
    return /at (\d+(\.\d+)?)\s*$/.exec(stdout ?? "")?.[1] ?? "0";
}
