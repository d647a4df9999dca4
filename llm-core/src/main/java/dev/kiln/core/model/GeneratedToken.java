package dev.kiln.core.model;

/**
 * One generated token.
 *
 * @param id the token id
 * @param text the text this token completes: may be empty while a multi-byte character or a
 *     possible stop string is still open, and then arrives with a later token
 * @param logprob natural log-probability of the token
 */
public record GeneratedToken(int id, String text, double logprob) {}
