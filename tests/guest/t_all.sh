# What every module must do.

test_modinfo_fields() {
	for m in $MODULES; do
		assert_eq GPL "$(modinfo -F license "$m")" "$m license"
		assert_eq "Lesson 4 C port contributors" "$(modinfo -F author "$m")" "$m author"
		[ -n "$(modinfo -F description "$m")" ] || fail "$m has no description"
	done
	assert_eq "A minimal C kernel module" "$(modinfo -F description hello)" \
		"hello description"
	modinfo -F parm echo | grep -q '^capacity:Bytes each device can hold' ||
		fail "echo's capacity parameter is not described"
}

test_load_and_unload_twice() {
	for m in $MODULES; do
		for round in 1 2; do
			insmod "$m.ko" || fail "$m: load $round"
			rmmod "$m" || fail "$m: unload $round"
			assert_gone "$m"
		done
	done
}
