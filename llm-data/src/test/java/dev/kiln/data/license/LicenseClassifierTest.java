package dev.kiln.data.license;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** Classification of real license texts found on this machine (Debian's, the JDK's, jars' in ~/.m2). */
class LicenseClassifierTest {

    static final Path COMMON = Path.of("/usr/share/common-licenses");
    static final Path JDK = Path.of(System.getProperty("java.home"));

    private static String common(String name) throws IOException {
        Path p = COMMON.resolve(name);
        assumeTrue(Files.isRegularFile(p), "Debian's common licenses are not installed");
        return Files.readString(p);
    }

    @Test
    void debianCommonLicenses() throws IOException {
        assertThat(LicenseClassifier.classify(common("Apache-2.0"))).containsExactly("Apache-2.0");
        assertThat(LicenseClassifier.classify(common("GPL-2"))).containsExactly("GPL-2.0");
        assertThat(LicenseClassifier.classify(common("GPL-3"))).containsExactly("GPL-3.0");
        assertThat(LicenseClassifier.classify(common("LGPL-2.1"))).containsExactly("LGPL-2.1");
        assertThat(LicenseClassifier.classify(common("LGPL-3"))).containsExactly("LGPL-3.0");
        assertThat(LicenseClassifier.classify(common("LGPL-2"))).containsExactly("LGPL-2.0");
        assertThat(LicenseClassifier.classify(common("MPL-2.0"))).containsExactly("MPL-2.0");
        assertThat(LicenseClassifier.classify(common("CC0-1.0"))).containsExactly("CC0-1.0");
        assertThat(LicenseClassifier.classify(common("BSD"))).containsExactly("BSD-3-Clause");
        assertThat(LicenseClassifier.classify(common("GFDL-1.3"))).isEmpty();
    }

    @Test
    void jdkLicenseIsGplWithClasspathException() throws IOException {
        Path lic = JDK.resolve("legal/java.base/LICENSE");
        assumeTrue(Files.isRegularFile(lic), "no legal/java.base/LICENSE in this JDK");
        assertThat(LicenseClassifier.classify(Files.readString(lic))).containsExactly(LicenseClassifier.GPL2_CLASSPATH);
    }

    @Test
    void jdkSourceHeaderIsGplWithClasspathException() throws IOException {
        Path src = JDK.resolve("lib/src.zip");
        assumeTrue(Files.isRegularFile(src), "this JDK has no src.zip");
        try (ZipFile z = new ZipFile(src.toFile())) {
            ZipEntry string = z.getEntry("java.base/java/lang/String.java");
            String text;
            try (InputStream in = z.getInputStream(string)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(Licenses.fromHeader(text)).containsExactly(LicenseClassifier.GPL2_CLASSPATH);
            // A file with the plain GPL-2.0 notice (no Classpath exception) is told apart.
            String plain = text.replace(
                    "Oracle designates this\n * particular file as subject to the \"Classpath\" exception as provided\n * by Oracle in the LICENSE file that accompanied this code.\n",
                    "");
            assertThat(plain).isNotEqualTo(text);
            assertThat(Licenses.fromHeader(plain)).containsExactly("GPL-2.0");
        }
    }

    @Test
    void licenseFilesInsideMavenJars() throws IOException {
        Path jar = Path.of(
                System.getProperty("user.home"),
                ".m2/repository/org/apache/commons/commons-compress/1.28.0/commons-compress-1.28.0.jar");
        assumeTrue(Files.isRegularFile(jar), "commons-compress is not in the local repository");
        try (ZipFile z = new ZipFile(jar.toFile())) {
            ZipEntry e = z.getEntry("META-INF/LICENSE.txt");
            try (InputStream in = z.getInputStream(e)) {
                assertThat(LicenseClassifier.classify(new String(in.readAllBytes(), StandardCharsets.UTF_8)))
                        .containsExactly("Apache-2.0");
            }
        }
    }

    @Test
    void permissiveFullTexts() {
        String mit =
                "MIT License\n\nCopyright (c) 2024 Acme\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n"
                        + "of this software and associated documentation files (the \"Software\"), to deal\nin the Software without restriction...\n\n"
                        + "The above copyright notice and this permission notice shall be included in all\ncopies or substantial portions of the Software.\n";
        assertThat(LicenseClassifier.classify(mit)).containsExactly("MIT");
        String isc =
                "ISC License\n\nPermission to use, copy, modify, and/or distribute this software for any\npurpose with or without fee is hereby granted, "
                        + "provided that the above\ncopyright notice and this permission notice appear in all copies.\n";
        assertThat(LicenseClassifier.classify(isc)).containsExactly("ISC");
        String zeroBsd =
                "Permission to use, copy, modify, and/or distribute this software for any\npurpose with or without fee is hereby granted.\n";
        assertThat(LicenseClassifier.classify(zeroBsd)).containsExactly("0BSD");
        String bsd2 =
                "Redistribution and use in source and binary forms, with or without\nmodification, are permitted provided that the following conditions are met:\n\n"
                        + "1. Redistributions of source code must retain the above copyright notice, this\n   list of conditions and the following disclaimer.\n";
        assertThat(LicenseClassifier.classify(bsd2)).containsExactly("BSD-2-Clause");
        assertThat(LicenseClassifier.classify(
                        "This is free and unencumbered software released into the public domain."))
                .containsExactly("Unlicense");
        String zlib = "This software is provided 'as-is', without any express or implied warranty.\n"
                + "1. The origin of this software must not be misrepresented; ...\n2. Altered source versions must be plainly marked as such, and must not be\n";
        assertThat(LicenseClassifier.classify(zlib)).containsExactly("Zlib");
        assertThat(LicenseClassifier.classify("Eclipse Public License - v 2.0\n\nTHE ACCOMPANYING PROGRAM IS PROVIDED"))
                .containsExactly("EPL-2.0");
        assertThat(LicenseClassifier.classify("Eclipse Public License - v 1.0")).containsExactly("EPL-1.0");
        assertThat(LicenseClassifier.classify("GNU AFFERO GENERAL PUBLIC LICENSE\n Version 3, 19 November 2007"))
                .containsExactly("AGPL-3.0");
        assertThat(LicenseClassifier.classify("Just some README text about a GPL-free project."))
                .isEmpty();
    }

    @Test
    void headers() {
        String apache =
                "/*\n * Licensed under the Apache License, Version 2.0 (the \"License\");\n * you may not use this file except in compliance with the License.\n */\npackage x;\nclass A {}\n";
        assertThat(Licenses.fromHeader(apache)).containsExactly("Apache-2.0");
        assertThat(Licenses.fromHeader("// SPDX-License-Identifier: MIT OR Apache-2.0\nfn main() {}\n"))
                .containsExactly("MIT OR Apache-2.0");
        assertThat(Licenses.fromHeader("/* SPDX-License-Identifier: GPL-2.0-only WITH Classpath-exception-2.0 */\n"))
                .containsExactly(LicenseClassifier.GPL2_CLASSPATH);
        assertThat(Licenses.fromHeader("# SPDX-License-Identifier: GPL-3.0-or-later\nimport os\n"))
                .containsExactly("GPL-3.0");
        // A license named in code below the header is not the file's license.
        assertThat(Licenses.fromHeader("package x;\n// Licensed under the Apache License, Version 2.0\nclass A {}\n"))
                .isEmpty();
    }

    @Test
    void namesAndExpressions() {
        assertThat(Licenses.normalize("The Apache Software License, Version 2.0"))
                .contains("Apache-2.0");
        assertThat(Licenses.normalize("https://www.apache.org/licenses/LICENSE-2.0.txt"))
                .contains("Apache-2.0");
        assertThat(Licenses.normalize("MIT/Apache-2.0")).contains("MIT OR Apache-2.0");
        assertThat(Licenses.normalize("Eclipse Public License - v 1.0")).contains("EPL-1.0");
        assertThat(Licenses.normalize("New BSD License")).contains("BSD-3-Clause");
        assertThat(Licenses.normalize("GNU Lesser General Public License v2.1")).contains("LGPL-2.1");
        assertThat(Licenses.normalize("GPL2 w/ CPE")).isPresent();
        assertThat(Licenses.normalize("Proprietary")).isEmpty();
        assertThat(Licenses.allowed("MIT OR GPL-3.0", Licenses.PERMISSIVE)).isTrue();
        assertThat(Licenses.allowed("MIT AND GPL-3.0", Licenses.PERMISSIVE)).isFalse();
        assertThat(Licenses.allowed("(MIT OR Apache-2.0) AND BSD-3-Clause", Licenses.PERMISSIVE))
                .isTrue();
        assertThat(Licenses.allowed(LicenseClassifier.GPL2_CLASSPATH, Licenses.PERMISSIVE))
                .isFalse();
    }

    @Test
    void packageMetadata() {
        assertThat(PackageLicenses.fromPackageJson("{\"name\":\"x\",\"license\":\"ISC\"}"))
                .containsExactly("ISC");
        assertThat(PackageLicenses.fromPackageJson("{\"licenses\":[{\"type\":\"MIT\"},{\"type\":\"Apache-2.0\"}]}"))
                .containsExactly("MIT OR Apache-2.0");
        assertThat(PackageLicenses.fromPyproject("[project]\nname = \"x\"\nlicense = {text = \"BSD-3-Clause\"}\n"))
                .containsExactly("BSD-3-Clause");
        assertThat(PackageLicenses.fromPyproject("classifiers = [\"License :: OSI Approved :: MIT License\"]"))
                .containsExactly("MIT");
        assertThat(PackageLicenses.fromCargoToml("[package]\nname = \"x\"\nlicense = \"MIT/Apache-2.0\"\n"))
                .containsExactly("MIT OR Apache-2.0");
        assertThat(
                        PackageLicenses.fromFile(
                                "pom.xml",
                                "<project><licenses><license><name>Eclipse Public License 2.0</name></license></licenses></project>"))
                .isEqualTo(List.of("EPL-2.0"));
    }
}
