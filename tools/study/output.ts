/**
 * What a person watching the study reads: progress lines with the elapsed time (none in quiet
 * mode), problems on stderr, a closing line. A terminal that went away (SIGHUP, a closed ssh
 * session) must not end the study in the middle of an operation: writes to it are dropped.
 */
import { duration } from "./progress";

export class Output {
    private readonly start = Date.now();
    private gone = false;

    constructor(private readonly quiet: boolean) {
        for (const stream of [process.stdout, process.stderr]) stream.on("error", () => (this.gone = true));
    }

    private write(stream: NodeJS.WriteStream, text: string): void {
        if (this.gone) return;
        try {
            stream.write(text.endsWith("\n") ? text : `${text}\n`);
        } catch {
            this.gone = true;
        }
    }

    /** A progress line, after the study's elapsed time. */
    progress(text: string): void {
        if (!this.quiet) this.write(process.stdout, `[${clock((Date.now() - this.start) / 1000)}] ${text}`);
    }

    /** Said even in quiet mode. */
    say(text: string): void {
        this.write(process.stdout, text);
    }

    problem(text: string): void {
        this.write(process.stderr, text);
    }

    elapsed(): string {
        return duration((Date.now() - this.start) / 1000);
    }
}

/** 75 -> "01:15", 3725 -> "1:02:05". */
export function clock(seconds: number): string {
    const s = Math.floor(seconds);
    const two = (n: number) => String(n).padStart(2, "0");
    return s >= 3600
        ? `${Math.floor(s / 3600)}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`
        : `${two(Math.floor(s / 60))}:${two(s % 60)}`;
}
