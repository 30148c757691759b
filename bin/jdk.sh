# Sourced by bin/start and bin/test: points JAVA_HOME at the newest JDK >= 25 on this machine
# (a Temurin JDK sits beside Debian's default 17 under /usr/lib/jvm). An explicit JAVA_HOME of
# 25 or newer is kept (the build targets Java 25).
gatehouse_select_jdk() {
  local dir ver major best_home="" best_major=0
  if [[ -n "${JAVA_HOME:-}" && -f "$JAVA_HOME/release" ]]; then
    ver=$(sed -n 's/^JAVA_VERSION="\([^"]*\)"/\1/p' "$JAVA_HOME/release"); major=${ver%%.*}
    if [[ "$major" =~ ^[0-9]+$ ]] && (( major >= 25 )); then export PATH="$JAVA_HOME/bin:$PATH"; return 0; fi
  fi
  for dir in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [[ -d "$dir" && -x "$dir/bin/javac" && -f "$dir/release" ]] || continue
    ver=$(sed -n 's/^JAVA_VERSION="\([^"]*\)"/\1/p' "$dir/release"); major=${ver%%.*}
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    if (( major >= 25 && major > best_major )); then best_major=$major; best_home=$(readlink -f "$dir"); fi
  done
  if [[ -z "$best_home" ]]; then
    echo "ERROR: Gatehouse needs a JDK 25 or newer; none found under /usr/lib/jvm. Install one or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME="$best_home"
  export PATH="$JAVA_HOME/bin:$PATH"
}

# What an AOT cache made by bin/aot belongs to: the jar it was extracted from and the JDK that
# trained it. bin/start uses target/aot/ only when this matches target/aot/stamp.
gatehouse_aot_stamp() {
  local jar=$1 runtime
  runtime=$(sed -n 's/^JAVA_RUNTIME_VERSION="\([^"]*\)"/\1/p' "$JAVA_HOME/release")
  echo "jar-sha256=$(sha256sum "$jar" | cut -c1-64) java=${runtime:-unknown} home=$JAVA_HOME"
}
