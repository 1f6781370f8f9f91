/* A stand-in for bcryptprimitives.dll, which Wine 8 lacks: Go 1.22 and
   later call its ProcessPrng at start-up for random bytes. This one
   draws them from RtlGenRandom (advapi32's SystemFunction036). Built by
   .ci/wine-exec with mingw-w64 into the Wine prefix it makes; used only
   to run eproc's Windows tests under Wine. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!RtlGenRandom(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
