/** The Tool SPI: tools are registered with the runtime and reached only through its gateway, never by agents. */
package dev.custos.tool;
