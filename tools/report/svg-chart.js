// @ts-check
/**
 * Renders tier comparisons as hand-written SVG: a report section's (x = query, one slot per tier,
 * per tier and mode when both modes were run) and a study's, one query per chart (x = tier, with
 * the provenance in a footer). A light bar up to the median, every run as a dot and the median as
 * a line: with three runs a bar alone would hide the spread. Pure and deterministic (fixed layout,
 * fixed number formatting), so the same results always give the same file.
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
const FOOTER_LINE = 14;

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
 * @typedef {object} Layout what goes where: the x axis's categories, the bars side by side in each
 * @property {string[]} categories on the x axis, in order
 * @property {string} xLabel the x axis's title
 * @property {string[]} series the bars within a category (one colour each); one unnamed series: one bar per category
 * @property {(category: string, series: string) => Group | undefined} groupAt undefined: an empty slot
 * @property {(category: string, series: string) => string} nameOf how a tooltip names a bar
 * @property {(categoryIndex: number, seriesIndex: number) => string} colourOf
 * @property {string[]} legend entries of the legend, coloured as the series are; empty: no legend
 * @property {string[]} footer lines under the chart (provenance), small and grey
 */

/**
 * @param {Group[]} groups every bar's group, for the scale
 * @param {string} title
 * @param {Layout} l
 * @returns {string} the SVG document
 */
function renderChart(groups, title, l) {
    const barsWidth = Math.max(1, l.series.length) * BAR;
    const plotWidth = Math.max(320, l.categories.length * (barsWidth + GROUP_GAP));
    const slot = plotWidth / Math.max(1, l.categories.length);
    // Wide enough for the longest footer line too (about 6 px a character at 10 px sans-serif).
    const width = Math.max(
        MARGIN.left + plotWidth + (l.legend.length > 0 ? MARGIN.right : MARGIN.left),
        ...l.footer.map((f) => 16 + 6 * f.length),
    );
    const footerTop = MARGIN.top + PLOT_HEIGHT + MARGIN.bottom;
    const height = footerTop + l.footer.length * FOOTER_LINE + (l.footer.length > 0 ? FOOTER_LINE / 2 : 0);
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
        `<text x="${num(x0 + plotWidth / 2)}" y="${footerTop - 14}" text-anchor="middle">${esc(l.xLabel)}</text>`,
        `<text transform="translate(20 ${num(MARGIN.top + PLOT_HEIGHT / 2)}) rotate(-90)" text-anchor="middle">wall seconds</text>`,
    );

    l.categories.forEach((category, ci) => {
        const gx = x0 + ci * slot + (slot - barsWidth) / 2;
        out.push(`<text x="${num(x0 + (ci + 0.5) * slot)}" y="${yBase + 18}" text-anchor="middle">${esc(category)}</text>`);
        l.series.forEach((series, si) => {
            const g = l.groupAt(category, series);
            if (g === undefined) return; // not run there: leave the slot empty
            const s = g.summary;
            const bx = gx + si * BAR;
            const colour = l.colourOf(ci, si);
            const name = l.nameOf(category, series);
            const tip = `${name}: median ${secs(s.median)} s, min ${secs(s.min)} s, max ${secs(s.max)} s, ${s.runs} run(s)`;
            out.push(
                `<rect x="${num(bx + 2)}" y="${num(y(s.median))}" width="${BAR - 4}" height="${num(yBase - y(s.median))}" fill="${colour}" fill-opacity="0.35"><title>${esc(tip)}</title></rect>`,
                `<line class="median" x1="${num(bx + 2)}" y1="${num(y(s.median))}" x2="${num(bx + BAR - 2)}" y2="${num(y(s.median))}" stroke="#000000" stroke-width="2"/>`,
            );
            // Spread across the slot in record order, so equal values stay visible side by side.
            const span = BAR - 4 - 2 * DOT;
            g.values.forEach((v, i) => {
                const dx = g.values.length === 1 ? span / 2 : (span * i) / (g.values.length - 1);
                out.push(
                    `<circle class="run" cx="${num(bx + 2 + DOT + dx)}" cy="${num(y(v))}" r="${DOT}" fill="${colour}" stroke="#000000" stroke-width="0.5"><title>${esc(`${name}: ${secs(v)} s`)}</title></circle>`,
                );
            });
        });
    });

    if (l.legend.length > 0) {
        const lx = x0 + plotWidth + 24;
        out.push(`<text x="${lx}" y="${MARGIN.top}" font-weight="bold">tier</text>`);
        l.legend.forEach((name, si) => {
            const ly = MARGIN.top + 14 + si * 20;
            out.push(
                `<rect x="${lx}" y="${ly}" width="14" height="14" fill="${l.colourOf(0, si)}"/>`,
                `<text x="${lx + 20}" y="${ly + 7}" dominant-baseline="middle">${esc(name)}</text>`,
            );
        });
    }
    l.footer.forEach((line, i) => {
        out.push(`<text class="footer" x="8" y="${footerTop + (i + 1) * FOOTER_LINE}" font-size="10" fill="#555555">${esc(line)}</text>`);
    });
    out.push("</svg>");
    return out.join("\n") + "\n";
}

/**
 * The tier comparison of one report section: queries on the axis, one bar per tier (per tier and
 * mode when both modes were run), a legend naming the tiers.
 * @param {Group[]} groups one section's (stats.sections), at least one
 * @param {string} title
 * @returns {string} the SVG document
 */
function renderTierChart(groups, title) {
    const series = seriesNames(groups);
    const byKey = new Map(groups.map((g) => [JSON.stringify([g.query, seriesOf(groups)(g)]), g]));
    return renderChart(groups, title, {
        categories: [...new Set(groups.map((g) => g.query))].sort(naturalCompare),
        xLabel: "query",
        series,
        groupAt: (query, name) => byKey.get(JSON.stringify([query, name])),
        nameOf: (query, name) => `${query} at ${name}`,
        colourOf: (_ci, si) => PALETTE[si % PALETTE.length],
        legend: series,
        footer: [],
    });
}

/**
 * One query across the tiers of a study: tiers on the axis in the order given (the study's, not
 * sorted), one bar each, coloured as in the section charts, and the provenance in a footer.
 * @param {Group[]} groups one query's, at least one
 * @param {string[]} tierOrder the study's tiers, in order
 * @param {string} title
 * @param {string[]} footer
 * @returns {string} the SVG document
 */
function renderQueryChart(groups, tierOrder, title, footer) {
    const name = seriesOf(groups);
    const rank = (/** @type {string} */ tier) => (tierOrder.includes(tier) ? tierOrder.indexOf(tier) : tierOrder.length);
    const ordered = [...groups].sort(
        (a, b) => rank(a.tier) - rank(b.tier) || naturalCompare(a.tier, b.tier) || naturalCompare(a.mode, b.mode),
    );
    const byName = new Map(ordered.map((g) => [name(g), g]));
    const categories = [...byName.keys()];
    return renderChart(groups, title, {
        categories,
        xLabel: "tier",
        series: [""],
        groupAt: (category) => byName.get(category),
        nameOf: (category) => `${groups[0].query} at ${category}`,
        colourOf: (ci) => PALETTE[ci % PALETTE.length],
        legend: [],
        footer,
    });
}

/**
 * How a bar names its tier: with its mode only where both modes are among the groups.
 * @param {Group[]} groups
 * @returns {(g: Group) => string}
 */
function seriesOf(groups) {
    const withModes = new Set(groups.map((g) => g.mode)).size > 1;
    return (g) => (withModes ? `${g.tier} ${g.mode}` : g.tier);
}

/**
 * @param {Group[]} groups
 * @returns {string[]} tier order (natural), then mode
 */
function seriesNames(groups) {
    const name = seriesOf(groups);
    return [...new Map(groups.map((g) => [name(g), g])).values()]
        .sort((a, b) => naturalCompare(a.tier, b.tier) || naturalCompare(a.mode, b.mode))
        .map(name);
}

module.exports = { renderTierChart, renderQueryChart, niceScale };
