#!/usr/bin/perl
# The tapset reference pages, generated from the library's own doc comments:
#
#   perl scripts/tapset-man.pl OUTDIR tapset/*.stp
#
# writes one man page (section 3stap) per public function and probe alias,
# function::NAME.3stap and probe::NAME.3stap, and one tapset::FILE.3stap per
# file listing what it defines, so the reference cannot drift from the
# library: a public name (one not starting with '_') without a doc comment
# is an error, and the script exits 1 naming its file and line.
#
# A doc comment is the kernel-doc block SystemTap's tapsets use, right above
# the definition:
#
#   /**
#    * sfunction NAME - one-line summary       (or: probe NAME - summary)
#    * @arg: what the argument is             (a probe's @var: its variables)
#    *
#    * Description: paragraphs...              (Context:, Returns: likewise)
#    */
#
# A function defined several times (overloads) gets one page listing every
# form.  A probe alias's page also says what it is defined on here (the probe
# points on the right of its '='), since that is where this implementation
# and the original part ways.
use strict;
use warnings;

die "usage: $0 OUTDIR FILE.stp...\n" if @ARGV < 2;
my ($outdir, @files) = @ARGV;
-d $outdir or mkdir $outdir or die "$0: $outdir: $!\n";

my %funcs;   # name -> { summary, file, forms => [ { synopsis, args => [[n, t]], doc } ] }
my %probes;  # name -> { summary, file, backings => [..], doc }
my %tapsets; # file base -> { intro => text, funcs => [names], probes => [names] }
my $errors = 0;

sub error {
	my ($where, $msg) = @_;
	print STDERR "$where: $msg\n";
	$errors++;
}

# Text for groff: backslashes doubled, a leading . or ' made literal.
sub roff {
	my ($s) = @_;
	$s =~ s/\\/\\e/g;
	$s =~ s/^([.'])/\\&$1/;
	$s =~ s/\n([.'])/\n\\&$1/g;
	return $s;
}

# The parts of a doc comment: summary line, @params in order, and the
# sections (Description, Context, Returns, ...) as lists of paragraphs.
sub parse_doc {
	my ($lines, $where) = @_;
	my %doc = (params => [], sections => {}, order => []);
	my $head = shift @$lines // '';
	if ($head !~ /^(sfunction|probe)\s+(\S+)\s+-\s+(.*\S)\s*$/) {
		error($where, "doc comment must open with 'sfunction NAME - summary' or 'probe NAME - summary'");
		return undef;
	}
	@doc{qw(kind name summary)} = ($1, $2, $3);
	my $section = 'Description';
	my $target;  # the array the next text line is appended to
	for my $line (@$lines) {
		if ($line =~ /^\@(\w+):\s*(.*)$/) {
			push @{$doc{params}}, [$1, $2];
			$target = \$doc{params}[-1][1];
			next;
		}
		if ($line =~ /^([A-Z][a-z]+):\s*(.*)$/) {
			$section = $1;
			push @{$doc{order}}, $section unless $doc{sections}{$section};
			push @{$doc{sections}{$section}}, $2;
			$target = \$doc{sections}{$section}[-1];
			next;
		}
		if ($line eq '') {
			$target = undef;
			next;
		}
		if (!$target) {
			push @{$doc{order}}, $section unless $doc{sections}{$section};
			push @{$doc{sections}{$section}}, '';
			$target = \$doc{sections}{$section}[-1];
		}
		$$target .= ($$target eq '' ? '' : "\n") . $line;
	}
	return \%doc;
}

for my $file (@files) {
	open my $fh, '<', $file or die "$0: $file: $!\n";
	my @text = <$fh>;
	close $fh;
	chomp @text;
	(my $base = $file) =~ s{.*/}{};
	$base =~ s/\.stp$//;
	my $tapset = $tapsets{$base} //= {intro => '', funcs => [], probes => []};
	# the file's opening // paragraph says what the tapset is
	for my $line (@text) {
		last unless $line =~ m{^//\s?(.*)$};
		$tapset->{intro} .= ($tapset->{intro} eq '' ? '' : "\n") . $1;
	}
	my $doc;     # the last doc comment, until the definition it documents
	for (my $i = 0; $i < @text; $i++) {
		my $where = "$file:" . ($i + 1);
		if ($text[$i] =~ m{^/\*\*\s*$}) {
			my @lines;
			for ($i++; $i < @text && $text[$i] !~ m{^\s*\*/}; $i++) {
				(my $l = $text[$i]) =~ s/^\s*\*\s?//;
				$l =~ s/\s+$//;
				push @lines, $l;
			}
			$doc = parse_doc(\@lines, $where);
			next;
		}
		if ($text[$i] =~ /^function\s+([A-Za-z_]\w*)\s*(?::\s*(\w+))?\s*\(([^)]*)\)/) {
			my ($name, $type, $args) = ($1, $2, $3);
			my $d = $doc;
			undef $doc;
			next if $name =~ /^_/;
			if (!$d || $d->{kind} ne 'sfunction' || $d->{name} ne $name) {
				error($where, "function $name has no doc comment (/** sfunction $name - ... */)");
				next;
			}
			my @args;
			for my $a (split /,/, $args) {
				$a =~ s/^\s+|\s+$//g;
				next if $a eq '';
				my ($n, $t) = split /\s*:\s*/, $a;
				push @args, [$n, $t];
			}
			my %documented = map { $_->[0] => 1 } @{$d->{params}};
			for my $a (@args) {
				error($where, "function $name: argument $a->[0] is not documented (\@$a->[0]:)")
					unless $documented{$a->[0]};
			}
			my $synopsis = $name . (defined $type ? ":$type" : '') . '(' .
				join(', ', map { $_->[0] . (defined $_->[1] ? ":$_->[1]" : '') } @args) . ')';
			my $f = $funcs{$name} //= {summary => $d->{summary}, file => $base, forms => []};
			push @{$tapset->{funcs}}, $name unless @{$f->{forms}};
			push @{$f->{forms}}, {synopsis => $synopsis, doc => $d};
			next;
		}
		if ($text[$i] =~ /^probe\s+([A-Za-z_][\w.]*)\s*\+?=\s*(.*)$/) {
			my ($name, $rest) = ($1, $2);
			my $d = $doc;
			undef $doc;
			# the probe points up to the handler's '{', over lines
			my $points = $rest;
			while ($points !~ /\{/ && $i + 1 < @text) {
				$points .= ' ' . $text[++$i];
			}
			$points =~ s/\{.*//;
			next if $name =~ /^_/ || $name =~ /\._/;
			if (!$d || $d->{kind} ne 'probe' || $d->{name} ne $name) {
				error($where, "probe alias $name has no doc comment (/** probe $name - ... */)");
				next;
			}
			my @backings = grep { $_ ne '' } map { s/^\s+|\s+$//gr } split_points($points);
			if ($probes{$name}) {
				push @{$probes{$name}{backings}}, @backings;
				next;
			}
			$probes{$name} = {summary => $d->{summary}, file => $base, doc => $d,
					  backings => [@backings]};
			push @{$tapset->{probes}}, $name;
			next;
		}
		undef $doc if $text[$i] =~ /\S/ && $text[$i] !~ m{^\s*//};
	}
}

# "a("x,y") !, b ?" -> ('a("x,y") !', 'b ?'): commas outside quotes and parentheses.
sub split_points {
	my ($s) = @_;
	my (@out, $cur, $depth, $quote);
	($cur, $depth, $quote) = ('', 0, 0);
	for my $c (split //, $s) {
		if ($quote) {
			$quote = 0 if $c eq '"';
		} elsif ($c eq '"') {
			$quote = 1;
		} elsif ($c eq '(') {
			$depth++;
		} elsif ($c eq ')') {
			$depth--;
		} elsif ($c eq ',' && $depth == 0) {
			push @out, $cur;
			$cur = '';
			next;
		}
		$cur .= $c;
	}
	push @out, $cur;
	return @out;
}

exit 1 if $errors;

sub header {
	my ($title, $name, $summary) = @_;
	return ".\\\" Generated by scripts/tapset-man.pl from tapset/; do not edit.\n" .
		".TH \"\U$title\E\" 3stap \"\" \"stap-ebpf\" \"Tapset Reference\"\n" .
		".SH NAME\n" . roff($name) . " \\- " . roff($summary) . "\n";
}

sub sections {
	my ($doc) = @_;
	my $out = '';
	for my $s (@{$doc->{order}}) {
		my @paras = grep { $_ ne '' } @{$doc->{sections}{$s}};
		next unless @paras;
		$out .= ".SH \U$s\E\n" . join('', map { ".PP\n" . roff($_) . "\n" } @paras);
	}
	return $out;
}

sub write_page {
	my ($file, $text) = @_;
	open my $fh, '>', "$outdir/$file" or die "$0: $outdir/$file: $!\n";
	print $fh $text;
	close $fh;
}

for my $name (sort keys %funcs) {
	my $f = $funcs{$name};
	my $text = header("function::$name", "function::$name", $f->{summary});
	$text .= ".SH SYNOPSIS\n.nf\n" . join('', map { roff($_->{synopsis}) . "\n" } @{$f->{forms}}) . ".fi\n";
	my $many = @{$f->{forms}} > 1;
	$text .= ".SH ARGUMENTS\n";
	for my $form (@{$f->{forms}}) {
		my $params = $form->{doc}{params};
		if ($many) {
			$text .= ".PP\n.B " . roff($form->{synopsis}) . "\n";
			$text .= ".br\n" . roff($form->{doc}{summary}) . "\n" if $form->{doc}{summary} ne $f->{summary};
		}
		if (!@$params) {
			$text .= ".PP\nNone\n" unless $many;
			next;
		}
		for my $p (@$params) {
			$text .= ".TP\n.I " . roff($p->[0]) . "\n" . roff($p->[1]) . "\n";
		}
	}
	$text .= sections($_->{doc}) for @{$f->{forms}};
	$text .= ".SH SEE ALSO\n.BR tapset::$f->{file} (3stap),\n.BR stap (1)\n";
	write_page("function::$name.3stap", $text);
}

for my $name (sort keys %probes) {
	my $p = $probes{$name};
	my $text = header("probe::$name", "probe::$name", $p->{summary});
	$text .= ".SH SYNOPSIS\n.nf\n" . roff($name) . "\n.fi\n";
	$text .= ".SH VALUES\n";
	if (@{$p->{doc}{params}}) {
		$text .= join('', map { ".TP\n.I " . roff($_->[0]) . "\n" . roff($_->[1]) . "\n" } @{$p->{doc}{params}});
	} else {
		$text .= ".PP\nNone\n";
	}
	$text .= sections($p->{doc});
	my @b = @{$p->{backings}};
	$text .= ".SH BACKING\n.PP\nIn this implementation the alias is defined on " .
		(@b > 1 ? "the first of these that the running kernel offers" : "") . "\n.RS\n.nf\n" .
		join('', map { roff($_) . "\n" } @b) . ".fi\n.RE\n" .
		".PP\n\\fBstap \\-L " . roff($name) . "\\fR shows what it resolves to on this " .
		"kernel, and\n.BR stapprobes (3stap)\nwhat each probe family needs.\n";
	$text .= ".SH SEE ALSO\n.BR tapset::$p->{file} (3stap),\n.BR stapprobes (3stap),\n.BR stap (1)\n";
	write_page("probe::$name.3stap", $text);
}

for my $base (sort keys %tapsets) {
	my $t = $tapsets{$base};
	next unless @{$t->{funcs}} || @{$t->{probes}};
	my $intro = $t->{intro};
	$intro =~ s/\n/ /g;
	my $text = header("tapset::$base", "tapset::$base", "the $base tapset ($base.stp)");
	$text .= ".SH DESCRIPTION\n.PP\n" . roff($intro) . "\n" if $intro ne '';
	for my $kind (['probes', 'PROBE ALIASES', 'probe', \%probes],
		      ['funcs', 'FUNCTIONS', 'function', \%funcs]) {
		my ($key, $title, $prefix, $table) = @$kind;
		next unless @{$t->{$key}};
		$text .= ".SH $title\n";
		for my $name (sort @{$t->{$key}}) {
			$text .= ".TP\n.BR ${prefix}::" . roff($name) . " (3stap)\n" .
				roff($table->{$name}{summary}) . "\n";
		}
	}
	$text .= ".SH SEE ALSO\n.BR stapprobes (3stap),\n.BR stap (1)\n";
	write_page("tapset::$base.3stap", $text);
}
