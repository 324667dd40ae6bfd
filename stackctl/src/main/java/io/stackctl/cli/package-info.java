/** The stackctl command-line tool; its commands arrive with the stack issue. */
package io.stackctl.cli;
