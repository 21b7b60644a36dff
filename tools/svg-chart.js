// @ts-check
/**
 * Renders the tier comparison as a hand-written SVG: x = query, one slot per tier (per tier and
 * mode when both modes were run), a light bar up to the median, every run as a dot and the median
 * as a line: with three runs a bar alone would hide the spread. Pure and deterministic (fixed
 * layout, fixed number formatting), so the same results always give the same file.
 */
"use strict";

const { naturalCompare } = require("./stats.js");

/** @typedef {import("./stats.js").Group} Group */

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
const BAR = 26;
const GROUP_GAP = 34;
const MARGIN = { top: 56, right: 170, bottom: 62, left: 72 };
const PLOT_HEIGHT = 300;
const DOT = 3;

/** @param {string} text */
function esc(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Fixed formatting keeps the output byte-stable; two decimals are finer than a pixel here.
 * @param {number} n
 */
function num(n) {
    return String(Math.round(n * 100) / 100);
}

/** @param {number} seconds */
function secs(seconds) {
    return seconds.toFixed(3);
}

/**
 * Axis step from the 1–2–2.5–5 series, about five ticks up to at least `max`.
 * @param {number} max
 * @returns {{ top: number, step: number }}
 */
function niceScale(max) {
    if (!(max > 0)) return { top: 1, step: 0.2 };
    const raw = max / 5;
    const power = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
    return { top: Math.ceil(max / step - 1e-9) * step, step };
}

/**
 * @param {Group[]} groups one section's (stats.sections), at least one
 * @param {string} title
 * @returns {string} the SVG document
 */
function renderTierChart(groups, title) {
    const withModes = new Set(groups.map((g) => g.mode)).size > 1;
    /** @param {Group} g */
    const seriesOf = (g) => (withModes ? `${g.tier} ${g.mode}` : g.tier);
    const series = [...new Map(groups.map((g) => [seriesOf(g), g])).values()]
        .sort((a, b) => naturalCompare(a.tier, b.tier) || naturalCompare(a.mode, b.mode))
        .map(seriesOf);
    const queries = [...new Set(groups.map((g) => g.query))].sort(naturalCompare);

    const barsWidth = Math.max(1, series.length) * BAR;
    const plotWidth = Math.max(320, queries.length * (barsWidth + GROUP_GAP));
    const slot = plotWidth / Math.max(1, queries.length);
    const width = MARGIN.left + plotWidth + MARGIN.right;
    const height = MARGIN.top + PLOT_HEIGHT + MARGIN.bottom;
    const { top, step } = niceScale(Math.max(0, ...groups.flatMap((g) => g.values)));
    /** @param {number} v */
    const y = (v) => MARGIN.top + PLOT_HEIGHT - (v / top) * PLOT_HEIGHT;
    const x0 = MARGIN.left;
    const yBase = MARGIN.top + PLOT_HEIGHT;

    const out = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
        `<title>${esc(title)}</title>`,
        `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
        `<text x="${num(width / 2)}" y="26" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`,
        `<text x="${num(width / 2)}" y="44" text-anchor="middle" fill="#555555">dot = one run, line and bar = median, warm-up runs excluded</text>`,
    ];

    for (let i = 0; i <= Math.round(top / step); i++) {
        const v = i * step;
        const ty = num(y(v));
        out.push(
            `<line x1="${x0}" y1="${ty}" x2="${x0 + plotWidth}" y2="${ty}" stroke="#e0e0e0"/>`,
            `<text x="${x0 - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${esc(num(v))}</text>`,
        );
    }
    out.push(
        `<line x1="${x0}" y1="${MARGIN.top}" x2="${x0}" y2="${yBase}" stroke="#000000"/>`,
        `<line x1="${x0}" y1="${yBase}" x2="${x0 + plotWidth}" y2="${yBase}" stroke="#000000"/>`,
        `<text x="${num(x0 + plotWidth / 2)}" y="${height - 14}" text-anchor="middle">query</text>`,
        `<text transform="translate(20 ${num(MARGIN.top + PLOT_HEIGHT / 2)}) rotate(-90)" text-anchor="middle">wall seconds</text>`,
    );

    const byKey = new Map(groups.map((g) => [JSON.stringify([g.query, seriesOf(g)]), g]));
    queries.forEach((query, qi) => {
        const gx = x0 + qi * slot + (slot - barsWidth) / 2;
        out.push(`<text x="${num(x0 + (qi + 0.5) * slot)}" y="${yBase + 18}" text-anchor="middle">${esc(query)}</text>`);
        series.forEach((name, si) => {
            const g = byKey.get(JSON.stringify([query, name]));
            if (g === undefined) return; // this query was not run at this tier: leave the slot empty
            const s = g.summary;
            const bx = gx + si * BAR;
            const colour = PALETTE[si % PALETTE.length];
            const tip = `${query} at ${name}: median ${secs(s.median)} s, min ${secs(s.min)} s, max ${secs(s.max)} s, ${s.runs} run(s)`;
            out.push(
                `<rect x="${num(bx + 2)}" y="${num(y(s.median))}" width="${BAR - 4}" height="${num(yBase - y(s.median))}" fill="${colour}" fill-opacity="0.35"><title>${esc(tip)}</title></rect>`,
                `<line class="median" x1="${num(bx + 2)}" y1="${num(y(s.median))}" x2="${num(bx + BAR - 2)}" y2="${num(y(s.median))}" stroke="#000000" stroke-width="2"/>`,
            );
            // Spread across the slot in record order, so equal values stay visible side by side.
            const span = BAR - 4 - 2 * DOT;
            g.values.forEach((v, i) => {
                const dx = g.values.length === 1 ? span / 2 : (span * i) / (g.values.length - 1);
                out.push(
                    `<circle class="run" cx="${num(bx + 2 + DOT + dx)}" cy="${num(y(v))}" r="${DOT}" fill="${colour}" stroke="#000000" stroke-width="0.5"><title>${esc(`${query} at ${name}: ${secs(v)} s`)}</title></circle>`,
                );
            });
        });
    });

    const lx = x0 + plotWidth + 24;
    out.push(`<text x="${lx}" y="${MARGIN.top}" font-weight="bold">tier</text>`);
    series.forEach((name, si) => {
        const ly = MARGIN.top + 14 + si * 20;
        out.push(
            `<rect x="${lx}" y="${ly}" width="14" height="14" fill="${PALETTE[si % PALETTE.length]}"/>`,
            `<text x="${lx + 20}" y="${ly + 7}" dominant-baseline="middle">${esc(name)}</text>`,
        );
    });
    out.push("</svg>");
    return out.join("\n") + "\n";
}

module.exports = { renderTierChart, niceScale };
