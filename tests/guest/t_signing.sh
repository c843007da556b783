# Module signatures, on the sanitizer kernel booted with
# module.sig_enforce=1 (make check-debug): it trusts the test key that was
# made with it. /root/signed/ has echo.ko signed by `make sign` with that
# key, /root/other/ one signed with another key (its passphrase given in
# KBUILD_SIGN_PIN), /root/echo.ko is unsigned.

assert_refused() {
	assert_fails insmod "$1"
	echo "$OUT" | grep -q 'Key was rejected by service' ||
		fail "insmod $1 failed with '$OUT', not 'Key was rejected by service'"
	assert_gone echo /dev/echo
}

test_signing_is_enforced() {
	assert_eq Y "$(cat /sys/module/module/parameters/sig_enforce)" "sig_enforce"
}

test_signing_unsigned_module_is_refused() {
	use_kmod_tools
	[ -z "$(modinfo -F signer echo.ko)" ] || fail "echo.ko is signed"
	assert_refused echo.ko
}

test_signing_module_signed_with_the_trusted_key_loads() {
	use_kmod_tools
	assert_eq "lesson4-c test signing key" "$(modinfo -F signer signed/echo.ko)" "signer"
	assert_eq sha256 "$(modinfo -F sig_hashalgo signed/echo.ko)" "hash"
	insmod signed/echo.ko || fail "the signed echo.ko was refused"
	echo hi >/dev/echo
	assert_eq hi "$(cat /dev/echo)" "what /dev/echo gives back"
	rmmod echo
}

test_signing_module_signed_with_another_key_is_refused() {
	use_kmod_tools
	assert_eq "another key" "$(modinfo -F signer other/echo.ko)" "signer"
	assert_refused other/echo.ko
}
