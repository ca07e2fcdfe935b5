/**
 * The experiment report: reads the {@code result.json} / {@code loss.csv} files of a job (see
 * RESULTS.md), aggregates over seeds, checks the paper's claims from the numbers, and writes
 * {@code report.md} (with Java2D charts) and {@code report.html} (with Chart.js).
 */
package dev.recap.worker.report;
