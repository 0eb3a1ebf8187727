#!/usr/bin/perl
# Passes stderr through unchanged and unbuffered (a progress bar's carriage returns included), except for
# whole lines that are the JVM's own notice about how scripts/cltrain starts it:
#   "WARNING: Using incubator modules: jdk.incubator.vector"       (the Vector API for the Java reference)
# so that stderr holds cltrain's own messages only: one line for bad input, as promised.
use strict;
use warnings;

# Ctrl-C and SIGTERM go to the whole process group: the JVM handles them (writes its checkpoint, says where
# it stopped, exits 130/143) and this filter must live on to pass those lines on; it ends at end of input.
$SIG{INT} = 'IGNORE';
$SIG{TERM} = 'IGNORE';

sub notice {
  my ($line) = @_;
  return $line =~ /^WARNING: Using incubator modules: jdk\.incubator\.vector\r?\n$/;
}

# An unfinished line is held until its newline (it may be a notice written in pieces), unless it holds a
# carriage return (a progress bar redrawing its line) or grows long: those go through at once.
sub hold {
  my ($partial) = @_;
  return index($partial, "\r") < 0 && length($partial) < 512;
}

my $pending = "";    # the start of a line not yet written
my $passing = 0;     # part of the current line was written already: the rest goes through as it is
while (sysread(STDIN, my $chunk, 65536)) {
  my $out = "";
  $pending .= $chunk;
  while ((my $nl = index($pending, "\n")) >= 0) {
    my $line = substr($pending, 0, $nl + 1);
    $pending = substr($pending, $nl + 1);
    $out .= $line unless !$passing && notice($line);
    $passing = 0;
  }
  if (length($pending) && ($passing || !hold($pending))) {
    $out .= $pending;
    $pending = "";
    $passing = 1;
  }
  syswrite(STDERR, $out) if length $out;
}
syswrite(STDERR, $pending) if length $pending;
