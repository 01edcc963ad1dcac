// The wasi_snapshot_preview1 ABI as the witx files define it: errno values,
// rights bits, flags and the byte layout of the structs the guest passes.
#pragma once

#include <cstdint>

namespace wvm::wasi::abi {

// errno
inline constexpr uint16_t kSuccess = 0;
inline constexpr uint16_t k2Big = 1;
inline constexpr uint16_t kAcces = 2;
inline constexpr uint16_t kAgain = 6;
inline constexpr uint16_t kBadf = 8;
inline constexpr uint16_t kBusy = 10;
inline constexpr uint16_t kExist = 20;
inline constexpr uint16_t kFault = 21;
inline constexpr uint16_t kFbig = 22;
inline constexpr uint16_t kIlseq = 25;
inline constexpr uint16_t kIntr = 27;
inline constexpr uint16_t kInval = 28;
inline constexpr uint16_t kIo = 29;
inline constexpr uint16_t kIsdir = 31;
inline constexpr uint16_t kLoop = 32;
inline constexpr uint16_t kMfile = 33;
inline constexpr uint16_t kMlink = 34;
inline constexpr uint16_t kNametoolong = 37;
inline constexpr uint16_t kNfile = 41;
inline constexpr uint16_t kNoent = 44;
inline constexpr uint16_t kNomem = 48;
inline constexpr uint16_t kNospc = 51;
inline constexpr uint16_t kNosys = 52;
inline constexpr uint16_t kNotdir = 54;
inline constexpr uint16_t kNotempty = 55;
inline constexpr uint16_t kNotsock = 57;
inline constexpr uint16_t kNotsup = 58;
inline constexpr uint16_t kNotty = 59;
inline constexpr uint16_t kNxio = 60;
inline constexpr uint16_t kOverflow = 61;
inline constexpr uint16_t kPerm = 63;
inline constexpr uint16_t kPipe = 64;
inline constexpr uint16_t kRofs = 69;
inline constexpr uint16_t kSpipe = 70;
inline constexpr uint16_t kTxtbsy = 74;
inline constexpr uint16_t kXdev = 75;
inline constexpr uint16_t kNotcapable = 76;

// rights
inline constexpr uint64_t kRightFdDatasync = 1ull << 0;
inline constexpr uint64_t kRightFdRead = 1ull << 1;
inline constexpr uint64_t kRightFdSeek = 1ull << 2;
inline constexpr uint64_t kRightFdFdstatSetFlags = 1ull << 3;
inline constexpr uint64_t kRightFdSync = 1ull << 4;
inline constexpr uint64_t kRightFdTell = 1ull << 5;
inline constexpr uint64_t kRightFdWrite = 1ull << 6;
inline constexpr uint64_t kRightFdAdvise = 1ull << 7;
inline constexpr uint64_t kRightFdAllocate = 1ull << 8;
inline constexpr uint64_t kRightPathCreateDirectory = 1ull << 9;
inline constexpr uint64_t kRightPathCreateFile = 1ull << 10;
inline constexpr uint64_t kRightPathLinkSource = 1ull << 11;
inline constexpr uint64_t kRightPathLinkTarget = 1ull << 12;
inline constexpr uint64_t kRightPathOpen = 1ull << 13;
inline constexpr uint64_t kRightFdReaddir = 1ull << 14;
inline constexpr uint64_t kRightPathReadlink = 1ull << 15;
inline constexpr uint64_t kRightPathRenameSource = 1ull << 16;
inline constexpr uint64_t kRightPathRenameTarget = 1ull << 17;
inline constexpr uint64_t kRightPathFilestatGet = 1ull << 18;
inline constexpr uint64_t kRightPathFilestatSetSize = 1ull << 19;
inline constexpr uint64_t kRightPathFilestatSetTimes = 1ull << 20;
inline constexpr uint64_t kRightFdFilestatGet = 1ull << 21;
inline constexpr uint64_t kRightFdFilestatSetSize = 1ull << 22;
inline constexpr uint64_t kRightFdFilestatSetTimes = 1ull << 23;
inline constexpr uint64_t kRightPathSymlink = 1ull << 24;
inline constexpr uint64_t kRightPathRemoveDirectory = 1ull << 25;
inline constexpr uint64_t kRightPathUnlinkFile = 1ull << 26;
inline constexpr uint64_t kRightPollFdReadwrite = 1ull << 27;
inline constexpr uint64_t kRightSockShutdown = 1ull << 28;
inline constexpr uint64_t kRightSockAccept = 1ull << 29;

/// What a regular file (or stdio stream) can be granted.
inline constexpr uint64_t kFileRights =
    kRightFdDatasync | kRightFdRead | kRightFdSeek | kRightFdFdstatSetFlags | kRightFdSync |
    kRightFdTell | kRightFdWrite | kRightFdAdvise | kRightFdAllocate | kRightFdFilestatGet |
    kRightFdFilestatSetSize | kRightFdFilestatSetTimes | kRightPollFdReadwrite;
/// What a directory can be granted.
inline constexpr uint64_t kDirRights =
    kRightFdDatasync | kRightFdFdstatSetFlags | kRightFdSync | kRightFdAdvise |
    kRightPathCreateDirectory | kRightPathCreateFile | kRightPathLinkSource |
    kRightPathLinkTarget | kRightPathOpen | kRightFdReaddir | kRightPathReadlink |
    kRightPathRenameSource | kRightPathRenameTarget | kRightPathFilestatGet |
    kRightPathFilestatSetSize | kRightPathFilestatSetTimes | kRightFdFilestatGet |
    kRightFdFilestatSetTimes | kRightPathSymlink | kRightPathRemoveDirectory |
    kRightPathUnlinkFile | kRightPollFdReadwrite;
/// Rights that change the file system: a read-only preopen grants none of them.
inline constexpr uint64_t kMutatingRights =
    kRightFdWrite | kRightFdAllocate | kRightFdFilestatSetSize | kRightFdFilestatSetTimes |
    kRightPathCreateDirectory | kRightPathCreateFile | kRightPathLinkSource |
    kRightPathLinkTarget | kRightPathRenameSource | kRightPathRenameTarget |
    kRightPathFilestatSetSize | kRightPathFilestatSetTimes | kRightPathSymlink |
    kRightPathRemoveDirectory | kRightPathUnlinkFile;

// filetype
inline constexpr uint8_t kFiletypeUnknown = 0;
inline constexpr uint8_t kFiletypeBlockDevice = 1;
inline constexpr uint8_t kFiletypeCharacterDevice = 2;
inline constexpr uint8_t kFiletypeDirectory = 3;
inline constexpr uint8_t kFiletypeRegularFile = 4;
inline constexpr uint8_t kFiletypeSocketDgram = 5;
inline constexpr uint8_t kFiletypeSocketStream = 6;
inline constexpr uint8_t kFiletypeSymbolicLink = 7;

// fdflags, oflags, lookupflags, fstflags, whence, clocks, events
inline constexpr uint16_t kFdflagAppend = 1;
inline constexpr uint16_t kFdflagDsync = 2;
inline constexpr uint16_t kFdflagNonblock = 4;
inline constexpr uint16_t kFdflagRsync = 8;
inline constexpr uint16_t kFdflagSync = 16;
inline constexpr uint16_t kOflagCreat = 1;
inline constexpr uint16_t kOflagDirectory = 2;
inline constexpr uint16_t kOflagExcl = 4;
inline constexpr uint16_t kOflagTrunc = 8;
inline constexpr uint32_t kLookupSymlinkFollow = 1;
inline constexpr uint16_t kFstAtim = 1;
inline constexpr uint16_t kFstAtimNow = 2;
inline constexpr uint16_t kFstMtim = 4;
inline constexpr uint16_t kFstMtimNow = 8;
inline constexpr uint8_t kWhenceSet = 0;
inline constexpr uint8_t kWhenceCur = 1;
inline constexpr uint8_t kWhenceEnd = 2;
inline constexpr uint32_t kClockRealtime = 0;
inline constexpr uint32_t kClockMonotonic = 1;
inline constexpr uint32_t kClockProcessCputime = 2;
inline constexpr uint32_t kClockThreadCputime = 3;
inline constexpr uint8_t kEventClock = 0;
inline constexpr uint8_t kEventFdRead = 1;
inline constexpr uint8_t kEventFdWrite = 2;
inline constexpr uint16_t kSubclockAbstime = 1;
inline constexpr uint16_t kEventFdReadwriteHangup = 1;
inline constexpr uint8_t kPreopenDir = 0;

// struct sizes (offsets are written where each struct is filled in)
inline constexpr uint32_t kIovecSize = 8;
inline constexpr uint32_t kFdstatSize = 24;
inline constexpr uint32_t kFilestatSize = 64;
inline constexpr uint32_t kPrestatSize = 8;
inline constexpr uint32_t kDirentSize = 24;
inline constexpr uint32_t kSubscriptionSize = 48;
inline constexpr uint32_t kEventSize = 32;

}  // namespace wvm::wasi::abi
