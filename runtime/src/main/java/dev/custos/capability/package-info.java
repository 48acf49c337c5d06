/**
 * The capability algebra: patterns with exact containment, capabilities, bounds and grants, the attenuation that keeps
 * every child grant within its parent's remaining one, and the ledgers that carve budgets and calls out of the parent so
 * that no subtree ever spends more than its root grant. Plain Java, no actors: its laws test as plain functions.
 */
package dev.custos.capability;
