/**
 * Judging code models on HumanEval (Python), HumanEval-X (Java) and MultiPL-E style problem files.
 *
 * <p>The flow: {@link dev.kiln.eval.HumanEval} loads a {@link dev.kiln.eval.ProblemSet}; {@link
 * dev.kiln.eval.SampleGenerator} writes {@code n} completions per problem with any {@link
 * dev.kiln.core.model.LanguageModel} (a local checkpoint or an OpenAI-compatible URL) into a
 * human-eval samples file; {@link dev.kiln.eval.Evaluator} executes them in the sandbox of {@link
 * dev.kiln.eval.exec} and writes {@code results.jsonl}, {@code summary.json} (unbiased {@link
 * dev.kiln.eval.PassAtK pass@k}) and {@code report.html}; {@link dev.kiln.eval.RegressionGate}
 * compares pass@1 with a baseline for CI. {@link dev.kiln.eval.Infilling} scores single-line
 * fill-in-the-middle.
 *
 * <pre>{@code
 * ProblemSet problems = HumanEval.python();
 * try (LanguageModel m = LanguageModels.open("http://127.0.0.1:8080/v1")) {
 *     List<Sample> samples = SampleGenerator.builder().setModel(m).setProblems(problems)
 *             .optSamplesPerProblem(10).optTemperature(0.8).optTopP(0.95).build()
 *             .generate(Path.of("out/samples.jsonl"));
 *     EvalSummary s = Evaluator.builder().setProblems(problems).build().evaluate(samples, Path.of("out"));
 *     System.out.println(s.passAtK());
 * }
 * }</pre>
 */
package dev.kiln.eval;
