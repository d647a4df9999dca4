/** Human-readable reports of evaluations ({@code report.html}). */
package dev.kiln.eval.report;
