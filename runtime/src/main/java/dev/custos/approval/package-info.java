/** Approvals: actions that wait for a person, answered once, denied when nobody answers in time. */
package dev.custos.approval;
