/** Implementation of the executors: process supervision, the compile worker, the Java sample runner. Not API. */
package dev.kiln.eval.exec.internal;
