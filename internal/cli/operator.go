package cli

import (
	"fmt"
	"io"
	"strconv"

	"github.com/bilimsg/bilimsg/client/operator"
)

func parseMid(s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("%q is not a mid", s)
	}
	return v, nil
}

func parseMids(ss []string) ([]uint64, error) {
	out := make([]uint64, len(ss))
	for i, s := range ss {
		v, err := parseMid(s)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func printUser(w io.Writer, u *operator.User) {
	fmt.Fprintf(w, "mid %d  %s  fans %d\n", u.Mid, clean(u.Name), u.Fans)
}

// runUser: user add | get | list | login | fans, over the operator API.
func runUser(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	var mid uint64
	var fans int64
	var save string
	var secrets, pwStdin bool
	o.fs.Uint64Var(&mid, "mid", 0, "add: the new user's mid (default: the next free one)")
	o.fs.Int64Var(&fans, "fans", 0, "add: fan count (1000 unlocks auto-replies and fan groups)")
	o.fs.BoolVar(&pwStdin, "password-stdin", false, "add: give the user a password (for the web login), read from the first line of stdin (or $BILIMSG_PASSWORD)")
	o.fs.StringVar(&save, "save", "", "login: keep the new login in this profile")
	o.fs.BoolVar(&secrets, "secrets", false, "login: print the cookies")
	pos, code, ok := o.parse(args, 1, -1)
	if !ok {
		return code
	}
	op, err := o.operator()
	if err != nil {
		return o.fail(err)
	}
	ctx := s.Ctx
	showUser := func(u *operator.User, err error) int {
		if err != nil {
			return o.fail(err)
		}
		return o.emit(u, func(w io.Writer) { printUser(w, u) })
	}
	switch pos[0] {
	case "add":
		if len(pos) != 2 {
			o.usageErr("user add NAME")
			return 2
		}
		nu := operator.NewUser{Name: pos[1], Fans: fans, Password: s.getenv("BILIMSG_PASSWORD")}
		if pwStdin { // not a flag's value, which other users could read from the process list
			pw, err := firstLine(s.stdin())
			if err != nil || pw == "" {
				o.usageErr("--password-stdin: no password on stdin")
				return 2
			}
			nu.Password = pw
		}
		if mid != 0 {
			nu.Mid = &mid
		}
		return showUser(op.CreateUser(ctx, nu))
	case "get":
		if len(pos) != 2 {
			o.usageErr("user get MID")
			return 2
		}
		m, err := parseMid(pos[1])
		if err != nil {
			return o.fail(err)
		}
		return showUser(op.User(ctx, m))
	case "list":
		all := []operator.User{}
		var after uint64
		for {
			page, err := op.Users(ctx, after, 1000)
			if err != nil {
				return o.fail(err)
			}
			all = append(all, page...)
			if len(page) < 1000 {
				break
			}
			after = page[len(page)-1].Mid
		}
		return o.emit(all, func(w io.Writer) {
			for i := range all {
				printUser(w, &all[i])
			}
		})
	case "fans":
		if len(pos) != 3 {
			o.usageErr("user fans MID N")
			return 2
		}
		m, err := parseMid(pos[1])
		if err != nil {
			return o.fail(err)
		}
		n, err := strconv.ParseInt(pos[2], 10, 64)
		if err != nil {
			return o.fail(fmt.Errorf("%q is not a fan count", pos[2]))
		}
		return showUser(op.UpdateUser(ctx, m, operator.UserUpdate{Fans: &n}))
	case "login":
		if len(pos) != 2 {
			o.usageErr("user login MID")
			return 2
		}
		m, err := parseMid(pos[1])
		if err != nil {
			return o.fail(err)
		}
		cr, err := op.Login(ctx, m)
		if err != nil {
			return o.fail(err)
		}
		if save != "" {
			err := o.editProfiles(func(pf *profileFile) {
				server, token := o.server, o.adminToken
				if cur, ok := pf.Profiles[o.profileName()]; ok {
					server, token = firstOf(server, cur.Server), firstOf(token, cur.AdminToken)
				}
				pf.Profiles[save] = profile{Server: firstOf(server, "http://127.0.0.1:8080"), SESSDATA: cr.SESSDATA,
					BiliJct: cr.BiliJct, Mid: cr.Mid, AdminToken: token}
			})
			if err != nil {
				return o.fail(err)
			}
		}
		out := map[string]any{"mid": cr.Mid}
		if save != "" {
			out["profile"] = save
		}
		if secrets {
			out["SESSDATA"], out["bili_jct"], out["DedeUserID"] = cr.SESSDATA, cr.BiliJct, strconv.FormatUint(cr.Mid, 10)
		}
		return o.emit(out, func(w io.Writer) {
			fmt.Fprintf(w, "new login for mid %d", cr.Mid)
			if save != "" {
				fmt.Fprintf(w, ", kept in profile %q", save)
			}
			fmt.Fprintln(w)
			if secrets {
				fmt.Fprintf(w, "SESSDATA=%s; bili_jct=%s; DedeUserID=%d\n", cr.SESSDATA, cr.BiliJct, cr.Mid)
			} else if save == "" {
				fmt.Fprintln(w, "(cookies not shown: add --secrets to print them, or --save PROFILE to keep them)")
			}
		})
	}
	o.usageErr(fmt.Sprintf("unknown user action %q", pos[0]))
	return 2
}

// runRelation is follow, unfollow, block and unblock.
func runRelation(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	pos, code, ok := o.parse(args, 2, 2)
	if !ok {
		return code
	}
	ids, err := parseMids(pos)
	if err != nil {
		return o.fail(err)
	}
	op, err := o.operator()
	if err != nil {
		return o.fail(err)
	}
	do := map[string]func(*operator.Client) (*operator.Relation, error){
		"follow":   func(op *operator.Client) (*operator.Relation, error) { return op.Follow(s.Ctx, ids[0], ids[1]) },
		"unfollow": func(op *operator.Client) (*operator.Relation, error) { return op.Unfollow(s.Ctx, ids[0], ids[1]) },
		"block":    func(op *operator.Client) (*operator.Relation, error) { return op.Block(s.Ctx, ids[0], ids[1]) },
		"unblock":  func(op *operator.Client) (*operator.Relation, error) { return op.Unblock(s.Ctx, ids[0], ids[1]) },
	}[name]
	rel, err := do(op)
	if err != nil {
		return o.fail(err)
	}
	return o.emit(rel, func(w io.Writer) {
		fmt.Fprintf(w, "%d → %d: following %t, blocking %t\n", ids[0], ids[1], rel.Following, rel.Blocking)
	})
}

// runGroup manages fan groups over the operator API.
func runGroup(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	pos, code, ok := o.parse(args, 2, -1)
	if !ok {
		return code
	}
	op, err := o.operator()
	if err != nil {
		return o.fail(err)
	}
	ctx := s.Ctx
	printGroup := func(g *operator.Group) int {
		return o.emit(g, func(w io.Writer) {
			fmt.Fprintf(w, "group %d  %s  owner %d  members %d  %s\n", g.ID, clean(g.Name), g.Owner, g.Members, g.State)
		})
	}
	switch act := pos[0]; act {
	case "create":
		if len(pos) != 3 {
			o.usageErr("group create OWNER NAME")
			return 2
		}
		owner, err := parseMid(pos[1])
		if err != nil {
			return o.fail(err)
		}
		g, err := op.CreateGroup(ctx, operator.NewGroup{Owner: owner, Name: pos[2]})
		if err != nil {
			return o.fail(err)
		}
		return printGroup(g)
	case "get", "freeze", "unfreeze", "dissolve":
		if len(pos) != 2 {
			o.usageErr("group " + act + " GID")
			return 2
		}
		gid, err := parseMid(pos[1])
		if err != nil {
			return o.fail(err)
		}
		var g *operator.Group
		if act == "get" {
			g, err = op.Group(ctx, gid)
		} else {
			g, err = op.SetGroupState(ctx, gid, act)
		}
		if err != nil {
			return o.fail(err)
		}
		return printGroup(g)
	case "join", "leave", "remove":
		if len(pos) < 3 || (act != "join" && len(pos) != 3) {
			o.usageErr("group " + act + " GID MID")
			return 2
		}
		ids, err := parseMids(pos[1:])
		if err != nil {
			return o.fail(err)
		}
		for _, m := range ids[1:] {
			if act == "join" {
				_, err = op.Join(ctx, ids[0], m)
			} else {
				err = op.Leave(ctx, ids[0], m, act == "remove")
			}
			if err != nil {
				return o.fail(err)
			}
		}
		return o.emit(map[string]any{"group": ids[0], "mids": ids[1:], "action": act}, func(w io.Writer) {
			fmt.Fprintf(w, "group %d: %s %v\n", ids[0], act, ids[1:])
		})
	}
	o.usageErr(fmt.Sprintf("unknown group action %q", pos[0]))
	return 2
}
