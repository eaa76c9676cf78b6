BEGIN { print "/* generated placeholder */" }
