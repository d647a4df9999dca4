/**
 * Where documents come from: {@link dev.kiln.data.source.DirectorySource directories}, {@link
 * dev.kiln.data.source.ArchiveSource archives} (zip, jar, tar, tar.gz/tgz, tar.bz2, tar.xz; Maven
 * {@code -sources.jar} with its POM's license; npm tarballs with their {@code package.json}'s),
 * and {@link dev.kiln.data.source.JsonlSource JSON Lines} (The Stack's columns mapped).
 * {@link dev.kiln.data.source.Sources#detect(java.nio.file.Path)} picks one by path.
 *
 * <p>Sources never throw for a bad item: binary files, invalid UTF-8, files over {@link
 * dev.kiln.data.source.ReadOptions#maxFileBytes()}, corrupt or truncated archives, zip bombs,
 * symlink loops, unreadable files and invalid JSON lines become items with a reason, counted in the
 * {@link dev.kiln.data.PipelineReport} as {@code read:<reason>}.
 */
package dev.kiln.data.source;
