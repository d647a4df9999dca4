/**
 * Experiment tracking over run directories: {@link dev.kiln.train.runs.Run} reads one ({@code
 * run.json}, {@code metrics.jsonl}, checkpoints, {@code evals.jsonl}), {@link
 * dev.kiln.train.runs.RunReport} renders its page {@code report.html} (kept live during training
 * by {@link dev.kiln.train.runs.RunPageSink}), {@link dev.kiln.train.runs.RunComparison} overlays
 * several runs in {@code compare.html}, and {@link dev.kiln.train.runs.Runs} finds runs and records
 * evaluations of their checkpoints.
 */
package dev.kiln.train.runs;
