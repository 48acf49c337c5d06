/** The audit log: every decision and effect, append-only and hash-chained, durable before the effect it records. */
package dev.custos.audit;
