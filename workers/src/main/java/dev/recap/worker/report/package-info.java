/**
 * The experiment report: reads the {@code result.json} / {@code loss.csv} files of a job (see
 * docs/results.md), aggregates over seeds, checks the paper's claims from the numbers, and writes
 * {@code report.md} and {@code report.html} with the same SVG charts (linked from the markdown,
 * inlined in the html).
 */
package dev.recap.worker.report;
