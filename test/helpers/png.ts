/**
 * Reads the pixels of a PNG (8-bit RGB or RGBA, not interlaced: what Chromium's screenshot
 * writes), so a test can look at what a browser drew instead of trusting the SVG's source.
 */
import * as zlib from "zlib";

export interface Image {
    width: number;
    height: number;
    /** [r, g, b] of the pixel at x, y (0, 0 top left). */
    rgb(x: number, y: number): [number, number, number];
}

export function decodePng(png: Buffer): Image {
    if (png.subarray(0, 8).toString("hex") !== "89504e470d0a1a0a") throw new Error("not a PNG");
    let width = 0;
    let height = 0;
    let channels = 0;
    const data: Buffer[] = [];
    for (let at = 8; at < png.length;) {
        const length = png.readUInt32BE(at);
        const type = png.toString("latin1", at + 4, at + 8);
        const body = png.subarray(at + 8, at + 8 + length);
        if (type === "IHDR") {
            width = body.readUInt32BE(0);
            height = body.readUInt32BE(4);
            const [depth, colour, , , interlace] = body.subarray(8, 13);
            if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0)
                throw new Error(`PNG not 8-bit RGB(A), non-interlaced: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
            channels = colour === 2 ? 3 : 4;
        } else if (type === "IDAT") data.push(body);
        at += 12 + length;
    }
    const raw = zlib.inflateSync(Buffer.concat(data));
    const stride = width * channels;
    const pixels = Buffer.alloc(stride * height);
    for (let y = 0; y < height; y++) {
        const filter = raw[y * (stride + 1)];
        const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
        for (let i = 0; i < stride; i++) {
            const left = i >= channels ? pixels[y * stride + i - channels] : 0;
            const up = y > 0 ? pixels[(y - 1) * stride + i] : 0;
            const upLeft = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
            pixels[y * stride + i] = (line[i] + predict(filter, left, up, upLeft)) & 0xff;
        }
    }
    return {
        width,
        height,
        rgb: (x, y) => {
            const i = Math.round(y) * stride + Math.round(x) * channels;
            return [pixels[i], pixels[i + 1], pixels[i + 2]];
        },
    };
}

/** The PNG filter types (0 none, 1 sub, 2 up, 3 average, 4 Paeth). */
function predict(filter: number, a: number, b: number, c: number): number {
    switch (filter) {
        case 0:
            return 0;
        case 1:
            return a;
        case 2:
            return b;
        case 3:
            return (a + b) >> 1;
        case 4: {
            const p = a + b - c;
            const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        default:
            throw new Error(`PNG filter type ${filter} unknown`);
    }
}

/** "#0072B2" -> [0, 114, 178]. */
export function hexRgb(hex: string): [number, number, number] {
    const n = parseInt(hex.slice(1), 16);
    return [n >> 16, (n >> 8) & 0xff, n & 0xff];
}

/** The largest difference of one channel: 0 is the same colour, under about 40 is "that colour, anti-aliased". */
export function colourDistance(a: [number, number, number], b: [number, number, number]): number {
    return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}
