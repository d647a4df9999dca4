package dev.kiln.cli;

import dev.kiln.core.KilnEnvironmentException;

/**
 * Spark's jars are not on the CLI's class path by default (they are ~170 jars and ~240 MB): the
 * {@code llm} launcher adds {@code lib/spark/*} only when the arguments say {@code --engine spark}.
 */
final class SparkClassPath {

    private SparkClassPath() {}

    /** Whether Spark SQL can be loaded here. */
    static boolean present() {
        try {
            Class.forName("org.apache.spark.sql.SparkSession", false, SparkClassPath.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Fails with one line that says how to get Spark onto the class path. */
    static void require() {
        if (!present()) {
            throw new KilnEnvironmentException(
                    "the Spark engine needs Spark's jars on the class path, and they are not there",
                    "run it through the llm launcher (it adds lib/spark/* for --engine spark),"
                            + " or put spark-sql_2.13 4.x on -cp");
        }
    }
}
