import { createHash } from "crypto";

/** A short digest of a text: what triggers and provenance carry instead of the text itself. */
export function digestText(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** A digest of a JSON value with its keys in order, so the same value always gives the same digest. */
export function digestOf(value: unknown): string {
    const canonical = (v: unknown): unknown =>
        Array.isArray(v)
            ? v.map(canonical)
            : v !== null && typeof v === "object"
              ? Object.fromEntries(
                    Object.keys(v)
                        .sort()
                        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
                )
              : v;
    return digestText(JSON.stringify(canonical(value)));
}
