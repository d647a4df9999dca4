package dev.kiln.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LanguageTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            src/main/java/Main.java        | java
            a/b/script.py                  | python
            types.pyi                      | python
            app.js                         | javascript
            esm.mjs                        | javascript
            index.ts                       | typescript
            lib.d.ts                       | typescript
            view.tsx                       | typescript
            main.c                         | c
            engine.cpp                     | cpp
            engine.CC                      | cpp
            Program.cs                     | csharp
            server.go                      | go
            lib.rs                         | rust
            App.kt                         | kotlin
            build.gradle.kts               | kotlin
            Main.scala                     | scala
            View.swift                     | swift
            Foo.m                          | objective-c
            app.rb                         | ruby
            index.php                      | php
            run.sh                         | shell
            Deploy.ps1                     | powershell
            tool.pl                        | perl
            init.lua                       | lua
            analysis.R                     | r
            model.jl                       | julia
            Main.hs                        | haskell
            lib.ml                         | ocaml
            mix.exs                        | elixir
            core.clj                       | clojure
            build.gradle                   | groovy
            main.dart                      | dart
            kernel.cu                      | cuda
            schema.sql                     | sql
            Makefile                       | makefile
            GNUmakefile                    | makefile
            rules.mk                       | makefile
            Dockerfile                     | dockerfile
            Dockerfile.dev                 | dockerfile
            CMakeLists.txt                 | cmake
            Gemfile                        | ruby
            Rakefile                       | ruby
            Jenkinsfile                    | groovy
            index.html                     | html
            style.css                      | css
            README.md                      | markdown
            package.json                   | json
            config.yaml                    | yaml
            .github/workflows/ci.yml       | yaml
            pom.xml                        | xml
            Cargo.toml                     | toml
            api.proto                      | protobuf
            C:\\work\\Main.java            | java
            LICENSE                        | unknown
            archive.tar.gz                 | unknown
            noextension                    | unknown
            .gitignore                     | unknown
            """)
    void detectsByFileNameAndExtension(String path, String expected) {
        assertThat(Language.detect(path).id()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /usr/bin/env python3                 | python
            /usr/bin/python3.12                  | python
            /usr/bin/env -S node --no-warnings   | javascript
            /bin/bash                            | shell
            /bin/sh -e                           | shell
            /usr/bin/env ruby                    | ruby
            /usr/bin/perl -w                     | perl
            /usr/bin/env FOO=1 php               | php
            /usr/bin/env                         | unknown
            /opt/unknown-interpreter             | unknown
            """)
    void detectsScriptsWithoutExtensionByShebang(String interpreter, String expected) {
        // (CSV rows cannot start with '#', so the "#!" is added here)
        assertThat(Language.detect("bin/tool", "#!" + interpreter + "\nrest of file\n")
                        .id())
                .isEqualTo(expected);
        assertThat(Language.detect("bin/tool", "# " + interpreter + "\n").id()).isEqualTo("unknown");
    }

    @Test
    void extensionWinsOverShebang() {
        assertThat(Language.detect("x.rb", "#!/usr/bin/env python\n").id()).isEqualTo("ruby");
    }

    @Test
    void headerFilesAreCUnlessTheContentShowsCppOrObjectiveC() {
        assertThat(Language.detect("util.h").id()).isEqualTo("c");
        assertThat(Language.detect("util.h", "#include <stdio.h>\nint add(int a, int b);\n")
                        .id())
                .isEqualTo("c");
        assertThat(Language.detect("util.h", "namespace util {\nint add(int, int);\n}\n")
                        .id())
                .isEqualTo("cpp");
        assertThat(Language.detect("vec.h", "template <typename T> struct Vec { T* data; };\n")
                        .id())
                .isEqualTo("cpp");
        assertThat(Language.detect("shape.h", "class Shape {\npublic:\n  virtual ~Shape();\n};\n")
                        .id())
                .isEqualTo("cpp");
        assertThat(Language.detect("View.h", "#import <UIKit/UIKit.h>\n@interface View : UIView\n@end\n")
                        .id())
                .isEqualTo("objective-c");
        assertThat(Language.detect("vec.hpp", "int x;").id()).isEqualTo("cpp");
    }

    @Test
    void registryCoversTheCommonLanguages() {
        long programming = Language.all().stream()
                .filter(l -> l.kind() == Language.Kind.PROGRAMMING)
                .count();
        assertThat(programming).isGreaterThanOrEqualTo(30);
        assertThat(Language.all().stream().map(Language::id).collect(Collectors.toSet()))
                .contains("markdown", "json", "yaml", "xml", "html", "css", "sql", "shell", "unknown");
        assertThat(Language.of("JAVA").displayName()).isEqualTo("Java");
        assertThat(Language.find("cobol-2000")).isEmpty();
        assertThatThrownBy(() -> Language.of("cobol-2000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'cobol-2000'")
                .hasMessageContaining("java");
    }
}
