"""The usual reasons a file cannot be read or written, in plain Chinese for the command line."""

from __future__ import annotations

import errno

REASONS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ENOSPC: "磁盘已满",
    errno.EROFS: "磁盘是只读的",
    errno.EDQUOT: "超出磁盘配额",
    errno.EBADF: "文件未打开或已关闭",
    errno.EIO: "读写出错（磁盘或设备故障）",
}


def os_error_text(error: OSError) -> str:
    """Why `error` happened: a Chinese reason for the common cases, else the system's words."""
    return REASONS.get(error.errno or 0) or error.strerror or str(error)
