/**
 * License detection and filtering: {@link dev.kiln.data.license.LicenseClassifier} (license texts →
 * SPDX ids), {@link dev.kiln.data.license.PackageLicenses} (POM with its parent chain, package.json,
 * pyproject.toml, Cargo.toml), {@link dev.kiln.data.license.Licenses} (header notices, SPDX
 * expressions, the permissive allowlist) and the stages {@code license} ({@link
 * dev.kiln.data.license.LicenseFilter}) and {@code optout} ({@link dev.kiln.data.license.OptOut}).
 */
package dev.kiln.data.license;
